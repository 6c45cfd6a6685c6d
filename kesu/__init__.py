"""kesu (科素): the work system of a 全民科学素质 office."""

__version__ = "0.1.0"
