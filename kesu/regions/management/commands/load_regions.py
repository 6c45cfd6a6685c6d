from django.core.management.base import BaseCommand, CommandError

from kesu.regions.loader import RegionDataMissing, load_regions


class Command(BaseCommand):
    help = "载入全国省、地、县三级行政区划（GB/T 2260，数据来自 jionlp）；可选载入指定县的乡镇（街道）"

    def add_arguments(self, parser):
        parser.add_argument("--townships", metavar="CODE", action="append", default=[],
                            help="同时载入该县级区划（6 位代码）下的乡镇（街道），可重复")

    def handle(self, *args, townships=(), **options):
        try:
            result = load_regions(townships=list(townships or []))
        except RegionDataMissing as exc:
            raise CommandError(str(exc)) from exc
        if options.get("verbosity", 1) > 0:
            self.stdout.write(result.summary())
