"""Demo records of 责任体系 for the 市XX agency (appended to orgs.demo.DEMO_BUILDERS)."""

from dangjian.orgs.demo import DEMO_BUILDERS


def build(context: dict) -> None:
    """Add this module's demo records; `context` holds the agency's orgs and people (see orgs.demo)."""


DEMO_BUILDERS.append(build)
