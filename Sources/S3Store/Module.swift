// S3 evidence store
