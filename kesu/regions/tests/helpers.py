"""Shared test helpers: a small region tree in the jionlp file format and users of each role."""

from django.contrib.auth import get_user_model

from kesu.regions.loader import load_regions
from kesu.regions.models import Region

# The same quirks as the real file: a municipality repeating itself as a city, a prefecture without counties
# with a "市直辖行政区划" node, and townships and villages without codes.
SAMPLE = "\n".join([
    "四川省\t510000\t四川",
    "\t达州市\t511700\t达州",
    "\t\t通川区\t511702\t通川",
    "\t\t\t东城街道",
    "\t\t渠县\t511725\t渠县",
    "\t\t\t渠江街道",
    "\t\t\t\t北门社区",
    "\t\t\t天星街道",
    "\t\t宣汉县\t511722\t宣汉",
    "北京市\t110000\t北京",
    "\t北京市\t110000\t北京",
    "\t\t海淀区\t110108\t海淀",
    "\t\t\t中关村街道",
    "广东省\t440000\t广东",
    "\t东莞市\t441900\t东莞",
    "\t\t市直辖行政区划\t441900\t市直辖",
    "\t\t\t东城街道",
    "\t\t\t南城街道",
]) + "\n"


def load_sample(**kwargs):
    return load_regions(text=SAMPLE, **kwargs)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def make_user(username: str, role: str, *, region=None, unit=None):
    """A user without a usable password (hashing is slow); tests sign in with force_login."""
    return get_user_model().objects.create_user(username=username, password=None, role=role, region=region,
                                                unit=unit, full_name=username)
