"""Pure logic of the asset directory: vocabularies, schedules, validation, ORUK mapping."""
