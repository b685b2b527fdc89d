"""The live channel: one simulation per lab session, paced in real time and streamed as frames.

The simulator (app/sim) knows nothing of wall time; ``LabSession`` wraps one
``Scenario`` and turns wall milliseconds into virtual ones at the learner's speed.
The websocket route (app/web/live.py) owns the clock and the socket. See docs/protocol.md
and docs/labs.md.
"""

from app.live.labs import LABS, Lab, Setting
from app.live.labs.compression import MAX_TEXT_BYTES
from app.live.labs.partitioning import MAX_KEY_BYTES
from app.live.protocol import MAX_ACTIONS, MAX_LINK_CHARS, PROTOCOL_VERSION, ProtocolError
from app.live.session import LabSession, Limits

#: The limits a lab page states beside its inputs, each declared once where it is enforced; templates read them
#: (``lab_limits``), the page's scripts from the templates' data-max-bytes and from hello's ``limits``.
LAB_LIMITS = {"key_bytes": MAX_KEY_BYTES, "text_bytes": MAX_TEXT_BYTES, "actions": MAX_ACTIONS, "link_chars": MAX_LINK_CHARS}

__all__ = ["LAB_LIMITS", "LABS", "Lab", "LabSession", "Limits", "PROTOCOL_VERSION", "ProtocolError", "Setting"]
