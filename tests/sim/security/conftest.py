from __future__ import annotations

import pytest

from app.sim.security.certs import Pki, make_pki


@pytest.fixture(scope="session")
def pki() -> Pki:
    """One throwaway CA with broker and client certificates for the whole test session."""
    return make_pki()
