from django.urls import include, path

app_name = "assessment"
# 作风台账、量化承诺、典型、问责、目标责任考核 (ledger_urls), 两个责任清单考核、一级抓一级 (checklist_urls) and 评分细则、考评、民主测评、民主评议 (evaluation_urls).
urlpatterns = [
    path("", include("dangjian.assessment.ledger_urls")),
    path("evaluations/", include("dangjian.assessment.evaluation_urls")),
    path("", include("dangjian.assessment.checklist_urls")),
]
