"""Indexer: corpus files → parsed releases → release records → Whoosh index."""
