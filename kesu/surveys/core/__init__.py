"""The statistics of a 公民科学素质 sample survey, with no Django import.

instrument → scoring → screening → weighting → estimates. Every step works on whole columns (numpy / polars)
so a national round of 300,000 respondents is scored, screened, raked and estimated in seconds.
"""
