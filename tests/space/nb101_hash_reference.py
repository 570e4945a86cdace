# Reference values for tests/space/nb101_space_test.cc: nasbench model_spec._prune and graph_util.hash_module
# (google-research/nasbench, Apache-2.0) re-implemented with lists only (no numpy). Run: python3 nb101_hash_reference.py
import hashlib, sys
import itertools
OPS=['conv3x3-bn-relu','conv1x1-bn-relu','maxpool3x3']
def prune(m, ops):
    n=len(m)
    vi={0}; fr=[0]
    while fr:
        t=fr.pop()
        for v in range(t+1,n):
            if m[t][v] and v not in vi: vi.add(v); fr.append(v)
    vo={n-1}; fr=[n-1]
    while fr:
        t=fr.pop()
        for v in range(0,t):
            if m[v][t] and v not in vo: vo.add(v); fr.append(v)
    ext=set(range(n))-(vi&vo)
    if len(ext)>n-2: return None,None
    keep=[i for i in range(n) if i not in ext]
    return [[m[i][j] for j in keep] for i in keep],[ops[i] for i in keep]
def hash_module(matrix, labeling):
    V=len(matrix)
    in_e=[sum(matrix[r][c] for r in range(V)) for c in range(V)]
    out_e=[sum(matrix[r]) for r in range(V)]
    hashes=[hashlib.md5(str(h).encode()).hexdigest() for h in zip(out_e,in_e,labeling)]
    for _ in range(V):
        nh=[]
        for v in range(V):
            inn=[hashes[w] for w in range(V) if matrix[w][v]]
            out=[hashes[w] for w in range(V) if matrix[v][w]]
            nh.append(hashlib.md5((''.join(sorted(inn))+'|'+''.join(sorted(out))+'|'+hashes[v]).encode()).hexdigest())
        hashes=nh
    return hashlib.md5(str(sorted(hashes)).encode()).hexdigest()
def spec_hash(m, ops):
    pm,po=prune(m,ops)
    if pm is None: return None
    return hash_module(pm, [-1]+[OPS.index(o) for o in po[1:-1]]+[-2])
I,O='input','output'; C1='conv1x1-bn-relu'; C3='conv3x3-bn-relu'; MP='maxpool3x3'
ex=[[0,1,1,1,0,1,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,1,0,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,0,0,0]]
print('readme', spec_hash(ex,[I,C1,C3,C3,C3,MP,O]))
st=[[0,1,1,1,1,0,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,0,1,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,0]]
print('stored', spec_hash(st,[I,C3,C1,MP,C3,C3,O]))
# graph_util_test diamond
print('diamond', hash_module([[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]],[-1,1,2,-2]))
# chain with unreachable node 2: 0->1->6, 2->6 (2 unreachable from input), 3,4,5 isolated
m=[[0]*7 for _ in range(7)]; m[0][1]=1; m[1][6]=1; m[2][6]=1
print('pruned', spec_hash(m,[I,C3,MP,C1,C1,C1,O]), spec_hash([[0,1,0],[0,0,1],[0,0,0]],[I,C3,O]))
print('direct', spec_hash([[0,1],[0,0]],[I,O]))

# Subspace count (vertices {0,1,2,3,6}, ops of 1..3; 4 and 5 isolated): prints valid specs, distinct hashes.

verts=[0,1,2,3,6]
pairs=[(a,b) for i,a in enumerate(verts) for b in verts[i+1:]]
keys=set(); valid=0
for bits in range(1<<len(pairs)):
    m=[[0]*7 for _ in range(7)]
    for k,(a,b) in enumerate(pairs):
        if bits>>k&1: m[a][b]=1
    for o in itertools.product(range(3),repeat=3):
        ops=[I]+[OPS[x] for x in o]+[OPS[0],OPS[0],O]
        pm,po=prune(m,ops)
        if pm is None: continue
        if sum(map(sum,pm))>9: continue
        valid+=1
        keys.add(hash_module(pm,[-1]+[OPS.index(x) for x in po[1:-1]]+[-2]))
print(valid,len(keys))
