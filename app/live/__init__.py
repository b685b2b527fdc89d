"""The live channel: one simulation per lab session, paced in real time and streamed as frames.

The simulator (app/sim) knows nothing of wall time; ``LabSession`` wraps one
``Scenario`` and turns wall milliseconds into virtual ones at the learner's speed.
The websocket route (app/web/live.py) owns the clock and the socket. See docs/protocol.md
and docs/labs.md.
"""

from app.live.labs import LABS, Lab, Setting
from app.live.protocol import PROTOCOL_VERSION, ProtocolError
from app.live.session import LabSession, Limits

__all__ = ["LABS", "Lab", "LabSession", "Limits", "PROTOCOL_VERSION", "ProtocolError", "Setting"]
