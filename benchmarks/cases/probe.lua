-- Used by run.py to tell a working herodo runner from a placeholder.
print("herodo-probe-ok", type(nerdctl_list))
