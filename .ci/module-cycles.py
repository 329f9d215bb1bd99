#!/usr/bin/env python3
"""The top-level modules of src/ import each other without a cycle (issue 16): prints each
cycle with the files behind its edges and exits 1. A `crate::x` path outside comments and
tests counts as an import of x."""
import collections, os, re, sys
mods=sorted(set(m[:-3] if m.endswith('.rs') else m for m in os.listdir('src') if m not in('main.rs','lib.rs')))
g=collections.defaultdict(lambda: collections.defaultdict(list))
for m in mods:
    paths=[]
    if os.path.isdir('src/'+m):
        for r,_,fs in os.walk('src/'+m):
            paths+= [os.path.join(r,f) for f in fs if f.endswith('.rs')]
    if os.path.exists('src/'+m+'.rs'): paths.append('src/'+m+'.rs')
    for p in paths:
        t=open(p).read()
        t=re.sub(r'#\[cfg\(test\)\]\s*mod tests\s*\{.*','',t,flags=re.S)
        lines=[l for l in t.split('\n') if not l.strip().startswith('//')]
        t='\n'.join(lines)
        for n,x in enumerate(re.findall(r'crate::(\w+)',t)):
            if x in mods and x!=m: g[m][x].append(p)
        for blk in re.findall(r'use crate::\{([^;]*)\}',t,flags=re.S):
            for x in re.findall(r'(?:^|[\s,{])(\w+)(?=::|[,}\s])',blk):
                if x in mods and x!=m: g[m][x].append(p)
idx={};low={};st=[];on=set();res=[];i=[0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v]=low[v]=i[0];i[0]+=1;st.append(v);on.add(v)
    for w in g[v]:
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        if len(comp)>1:res.append(comp)
for v in mods:
    if v not in idx: sc(v)
if not res:
    sys.exit(0)
print("module cycles:", res)
for comp in res:
    s=set(comp)
    for a in comp:
        for b in g[a]:
            if b in s: print(f"  {a} -> {b}  ({sorted(set(g[a][b]))[:2]})")
sys.exit(1)
