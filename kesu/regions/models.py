from django.db import models

from kesu.core.models import TimeStampedModel


def ancestor_paths(path: str) -> list[str]:
    """The materialized paths above ``path``, from the root down (``510000/511700/`` → ``["510000/"]``)."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts) - 1)]


class Level(models.IntegerChoices):
    PROVINCE = 1, "省级"
    PREFECTURE = 2, "地级"
    COUNTY = 3, "县级"
    TOWNSHIP = 4, "乡级"
    VILLAGE = 5, "村级"


class Region(TimeStampedModel):
    """One node of the region tree: province, prefecture, county (GB/T 2260), township or village.

    ``path`` is the materialized path of codes from the root, each followed by ``/`` (``510000/511700/511725/``),
    so a subtree is ``path LIKE '<path>%'`` and ancestors are the prefixes of ``path``; both use the index.
    Townships and villages are added by offices; their 12-digit statistical code is optional, in which case kesu
    assigns a local code with the prefix ``L``.
    """

    code = models.CharField("区划代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    short_name = models.CharField("简称", max_length=30, blank=True)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级区域", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField("深度", default=0)
    is_builtin = models.BooleanField("国家区划", default=False, help_text="来自国家行政区划代码表（GB/T 2260）")
    population_10k = models.DecimalField("常住人口（万人）", max_digits=10, decimal_places=2, null=True, blank=True)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "行政区域"
        verbose_name_plural = "行政区域"
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent", "sort"]),
            # Prefix LIKE on PostgreSQL needs the pattern operator class to use an index.
            models.Index(fields=["path"], name="regions_path_like", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_paths(self) -> list[str]:
        return ancestor_paths(self.path)

    def is_within(self, other: "Region") -> bool:
        """True when this region is ``other`` or lies in its subtree."""
        return self.path.startswith(other.path)
