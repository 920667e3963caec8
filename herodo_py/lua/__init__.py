"""The Lua host: a lupa (Lua 5.4) runtime in which herodo_py's library appears under the original's
global names, with friendly errors. ``Runtime`` runs one script; ``registry`` lists every binding."""
