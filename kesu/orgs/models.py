from django.db import models

from kesu.core.models import TimeStampedModel


class UnitKind(models.TextChoices):
    """部门类别: what kind of department a member unit is, so that national lead departments map to local ones."""

    ORGANIZATION = "organization", "组织"
    PROPAGANDA = "propaganda", "宣传"
    CYBERSPACE = "cyberspace", "网信"
    PARTY_SCHOOL = "party_school", "党校"
    GOVERNMENT_OFFICE = "government_office", "政府办"
    DEVELOPMENT = "development", "发展改革"
    EDUCATION = "education", "教育"
    SCIENCE_TECH = "science_tech", "科技"
    INDUSTRY_IT = "industry_it", "工信"
    ETHNIC = "ethnic", "民族宗教"
    CIVIL_AFFAIRS = "civil_affairs", "民政"
    FINANCE = "finance", "财政"
    HUMAN_RESOURCES = "human_resources", "人社"
    NATURAL_RESOURCES = "natural_resources", "自然资源"
    ECOLOGY = "ecology", "生态环境"
    HOUSING = "housing", "住建"
    AGRICULTURE = "agriculture", "农业农村"
    CULTURE_TOURISM = "culture_tourism", "文广旅"
    HEALTH = "health", "卫健"
    AGING = "aging", "老龄"
    EMERGENCY = "emergency", "应急"
    MARKET_REGULATION = "market_regulation", "市场监管"
    FORESTRY = "forestry", "林业"
    METEOROLOGY = "meteorology", "气象"
    EARTHQUAKE = "earthquake", "地震"
    MEDIA = "media", "融媒体"
    FOREIGN_AFFAIRS = "foreign_affairs", "外事"
    TRADE_UNION = "trade_union", "总工会"
    YOUTH_LEAGUE = "youth_league", "团委"
    WOMEN = "women", "妇联"
    DISABLED = "disabled", "残联"
    SOCIAL_SCIENCE = "social_science", "社科联"
    CAST = "cast", "科协"
    TOWNSHIP = "township", "乡镇（街道）"
    OTHER = "other", "其他"


class Unit(TimeStampedModel):
    """A member unit (成员单位/部门) of a region, e.g. 渠县教育局.

    Units carry validity dates because 机构改革 renames and merges them; ``successor`` points to the unit that
    took over when this one ended, so history stays attached to the unit that reported it.
    """

    region = models.ForeignKey("regions.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="units")
    name = models.CharField("单位名称", max_length=80)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("部门类别", max_length=30, choices=UnitKind.choices, default=UnitKind.OTHER)
    valid_from = models.DateField("成立日期", null=True, blank=True)
    valid_to = models.DateField("撤销日期", null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name="继任单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )
    sort = models.PositiveIntegerField("排序", default=0)
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "成员单位"
        verbose_name_plural = "成员单位"
        ordering = ["region__path", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="orgs_unit_unique_name_per_region"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="orgs_unit_valid_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.valid_to is None


class ContactPerson(TimeStampedModel):
    """A named person of a member unit: the leader, the 联络员 who answers for the unit's figures, a 填报员."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("姓名", max_length=30)
    title = models.CharField("职务", max_length=60, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    is_liaison = models.BooleanField("联络员", default=False)

    class Meta:
        verbose_name = "联系人"
        verbose_name_plural = "联系人"
        ordering = ["unit", "-is_liaison", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class BodyKind(models.TextChoices):
    LEADING_GROUP = "leading_group", "领导小组"
    JOINT_MEETING = "joint_meeting", "联席会议"
    OUTLINE_OFFICE = "outline_office", "纲要实施工作办公室"


class CoordinationBody(TimeStampedModel):
    """The region's 全民科学素质工作领导小组 or 联席会议; its 办公室 sits in the same-level 科协 (``office_unit``)."""

    region = models.OneToOneField(
        "regions.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="coordination_body"
    )
    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类型", max_length=20, choices=BodyKind.choices, default=BodyKind.LEADING_GROUP)
    office_unit = models.ForeignKey(
        Unit, verbose_name="办公室所在单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    established_on = models.DateField("成立日期", null=True, blank=True)
    members = models.ManyToManyField(Unit, verbose_name="成员单位", blank=True, related_name="bodies")
    duties = models.TextField("工作职责", blank=True)

    class Meta:
        verbose_name = "协调机构"
        verbose_name_plural = "协调机构"

    def __str__(self) -> str:
        return self.name


class PostKind(models.TextChoices):
    LEADER = "leader", "组长"
    DEPUTY = "deputy", "副组长"
    MEMBER = "member", "成员"
    OFFICE_DIRECTOR = "office_director", "办公室主任"
    OFFICE_DEPUTY = "office_deputy", "办公室副主任"
    LIAISON = "liaison", "联络员"


class BodyPost(TimeStampedModel):
    """A post in the coordination body held by a named person of a member unit (组长 副县长张某, 成员 教育局局长 …)."""

    body = models.ForeignKey(CoordinationBody, verbose_name="协调机构", on_delete=models.CASCADE, related_name="posts")
    post = models.CharField("职位", max_length=20, choices=PostKind.choices)
    person_name = models.CharField("姓名", max_length=30)
    person_title = models.CharField("职务", max_length=80, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="所在单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="posts")
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "机构职位"
        verbose_name_plural = "机构职位"
        ordering = ["body", "sort", "id"]

    def __str__(self) -> str:
        return f"{self.get_post_display()} {self.person_name}"
