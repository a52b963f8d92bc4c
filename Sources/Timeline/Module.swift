// Time logs, corrected timelines and integrity reports.
