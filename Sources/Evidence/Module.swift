// Evidence formats: see Docs/evidence-format.md.
