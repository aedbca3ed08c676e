from ninja import Router

router = Router(tags=["事项督办"])
