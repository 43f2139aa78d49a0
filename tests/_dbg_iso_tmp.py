def vm():
    import sys
    txt = open('/proc/self/status').read()
    return [l for l in txt.splitlines() if l.startswith(('VmSize','VmRSS','Threads'))], len(sys.modules), 'pandas' in sys.modules
