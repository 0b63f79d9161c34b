"""The built-in fictional sample region "Fictionbury" (see `region` for where and why)."""

from ingest.sample.files import SAMPLE_FILES, write_sample_files
from ingest.sample.load import (
    SAMPLE_DATASET,
    has_sample_region,
    load_sample_region,
    remove_sample_region,
)
from ingest.sample.region import (
    SampleLine,
    SamplePostcode,
    SampleRegion,
    SampleStop,
    sample_postcodes,
    sample_region,
    sample_stops,
)

__all__ = [
    "SAMPLE_DATASET", "SAMPLE_FILES", "SampleLine", "SamplePostcode", "SampleRegion",
    "SampleStop", "has_sample_region", "load_sample_region", "remove_sample_region",
    "sample_postcodes", "sample_region", "sample_stops", "write_sample_files",
]
