from ninja import Router

router = Router(tags=["责任体系"])
