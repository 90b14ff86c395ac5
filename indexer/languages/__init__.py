"""Per-language word normalizers of the analysis chain, one small module each."""
