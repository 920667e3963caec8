"""What a failing script shows: ``errors`` (the error object scripts catch) and ``friendly`` (the
compiler-style message herodo prints, with the script's lines and a hint)."""
