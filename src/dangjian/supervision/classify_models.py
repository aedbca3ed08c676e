"""分类模型: the category suggestion learned from one agency's classified petitions, stored in the database.

One row per agency (the org its petitions are filed under), replaced by each retraining. The fitted
scikit-learn pipeline is kept as joblib bytes in ``model``, so that every app server and the task consumer load
the same one; each process keeps the loaded pipeline in memory keyed by the row's ``version``. The database is
trusted (its contents are ours, written only by the retraining job): unpickling the bytes runs no foreign code.
"""

from __future__ import annotations

from django.db import models

from dangjian.core.models import ScopedModel


class CategoryModel(ScopedModel):
    scope_capability = "petition"

    trained_at = models.DateTimeField("训练时间")
    rows = models.PositiveIntegerField("训练样本数", help_text="已确认、已更正或历史导入的诉求条数")
    # [[category id, name], …] in the order of the model's classes.
    categories = models.JSONField("分类", default=list)
    seconds = models.FloatField("训练用时（秒）", default=0)
    size = models.PositiveIntegerField("模型大小（字节）", default=0)
    # What the training read, summed up (classify.fingerprint): unchanged, a retraining keeps this model.
    fingerprint = models.CharField("训练数据摘要", max_length=32, blank=True, editable=False)
    model = models.BinaryField("模型", editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "诉求分类模型"
        constraints = [models.UniqueConstraint(fields=["org"], name="category_model_one_per_agency")]

    def __str__(self):
        return f"{self.org} 分类模型 v{self.version}（{self.rows} 条）"
