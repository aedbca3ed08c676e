"""The REST API (/api/v1/), assembled from each module's router. Same scope rules as the pages."""

from dangjian.api.base import DangjianAPI
from dangjian.assessment.api import router as assessment_router
from dangjian.duties.api import router as duties_router
from dangjian.filings.api import router as filings_router
from dangjian.matters.api import router as matters_router
from dangjian.meetings.api import router as meetings_router
from dangjian.orgs.api import router as orgs_router
from dangjian.supervision.api import router as supervision_router

api = DangjianAPI()
api.add_router("/", orgs_router)
api.add_router("/duties", duties_router)
api.add_router("/matters", matters_router)
api.add_router("/meetings", meetings_router)
api.add_router("/supervision", supervision_router)
api.add_router("/assessment", assessment_router)
api.add_router("/filings", filings_router)
