"""The 纪委监督 panel of the home page: figures of the registry (supervision/figures.py), shown to the readers of
supervision records only (the discipline team and the agency's 党组书记)."""

from dangjian.core.panels import Panel

PANEL = Panel("纪委监督", ("supervision.talks.follow_ups", "supervision.findings.open"),
              alerts=frozenset({"supervision.talks.follow_ups"}))
