"""年度报告: dashboards per subtree and the annual report, written from the one figure registry."""
