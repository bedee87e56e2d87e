package odb

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"path/filepath"
	"runtime"
	"runtime/debug"
)

// Graph is a commit-graph file (objects/info/commit-graph): every commit's
// parents, commit time and generation number (topological level), so that
// history is walked without inflating commits.
type Graph struct {
	data   []byte
	n      int
	fanout []byte
	oids   []byte
	cdat   []byte // n × (tree, parent 1, parent 2, generation and time)
	edges  []byte // parents beyond the second
	unmap  runtime.Cleanup
	mapped bool
}

// GraphCommit is a commit as the commit-graph records it.
type GraphCommit struct {
	// Parents are the positions of the parents in the graph.
	Parents []uint32
	// Generation is the commit's topological level: 1 for a root, else
	// one more than its parents' highest; 0 when the writer did not
	// compute it.
	Generation uint32
	// Time is the commit time, seconds since 1970.
	Time int64
}

const (
	graphNoParent  = 0x70000000
	graphExtraEdge = 0x80000000
)

// OpenGraph maps the repository's commit-graph in the objects folder dir.
// It returns nil, nil when there is none; a split commit-graph (a chain in
// objects/info/commit-graphs) is not read.
func OpenGraph(dir string) (*Graph, error) {
	data, err := mapPath(filepath.Join(dir, "info", "commit-graph"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	g, err := ParseGraph(data)
	if err != nil {
		unmapFile(data)
		return nil, err
	}
	g.unmap, g.mapped = release(g, data), true
	return g, nil
}

// ParseGraph checks the layout of a commit-graph file, version 1 with
// SHA-1 names and no base graphs.
func ParseGraph(data []byte) (*Graph, error) {
	if len(data) < 8+20 || string(data[:4]) != "CGPH" {
		return nil, corrupt("not a commit-graph")
	}
	if data[4] != 1 || data[5] != 1 || data[7] != 0 {
		return nil, corrupt("commit-graph version %d, hash %d, %d bases", data[4], data[5], data[7])
	}
	c, err := chunks(data, 8, int(data[6]))
	if err != nil {
		return nil, err
	}
	g := &Graph{data: data, fanout: c["OIDF"], oids: c["OIDL"], cdat: c["CDAT"], edges: c["EDGE"]}
	if len(g.fanout) != 256*4 {
		return nil, corrupt("commit-graph fanout")
	}
	prev := uint32(0)
	for i := 0; i < 256; i++ {
		v := binary.BigEndian.Uint32(g.fanout[i*4:])
		if v < prev {
			return nil, corrupt("commit-graph fanout is not sorted")
		}
		prev = v
	}
	g.n = int(prev)
	if uint64(g.n)*56 > uint64(len(data)) || len(g.oids) != g.n*20 || len(g.cdat) != g.n*36 || len(g.edges)%4 != 0 {
		return nil, corrupt("commit-graph of %d commits", g.n)
	}
	return g, nil
}

// Close releases the map.
func (g *Graph) Close() error {
	if g == nil || !g.mapped {
		return nil
	}
	g.unmap.Stop()
	g.mapped = false
	err := unmapFile(g.data)
	g.data, g.oids, g.cdat, g.edges, g.fanout = nil, nil, nil, nil, nil
	return err
}

// Len returns the number of commits in the graph.
func (g *Graph) Len() int { return g.n }

// Find returns the position of commit h in the graph.
func (g *Graph) Find(h Hash) (pos uint32, ok bool) {
	err := readFault(func() error {
		i, found := findName(g.fanout, g.oids, h)
		pos, ok = uint32(i), found
		return nil
	})
	runtime.KeepAlive(g)
	return pos, ok && err == nil
}

// Hash returns the name of the commit at pos (the zero hash if the file
// cannot be read).
func (g *Graph) Hash(pos uint32) (h Hash) {
	readFault(func() error {
		copy(h[:], g.oids[pos*20:])
		return nil
	})
	runtime.KeepAlive(g)
	return h
}

// Commit returns the commit at pos; Parents reuses buf.
func (g *Graph) Commit(pos uint32, buf []uint32) (c GraphCommit, err error) {
	defer runtime.KeepAlive(g)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(&err)
	if int(pos) >= g.n {
		return c, corrupt("commit-graph position %d out of range", pos)
	}
	e := g.cdat[pos*36:]
	c.Parents = buf[:0]
	p1 := binary.BigEndian.Uint32(e[20:24])
	p2 := binary.BigEndian.Uint32(e[24:28])
	if p1 != graphNoParent {
		if int(p1) >= g.n {
			return c, corrupt("commit-graph parent %d out of range", p1)
		}
		c.Parents = append(c.Parents, p1)
	}
	switch {
	case p2 == graphNoParent:
	case p2&graphExtraEdge != 0:
		for i := int(p2 &^ graphExtraEdge); ; i++ {
			if i >= len(g.edges)/4 || len(c.Parents) > 1<<16 {
				return c, corrupt("commit-graph edge %d out of range", i)
			}
			v := binary.BigEndian.Uint32(g.edges[i*4:])
			if int(v&^graphExtraEdge) >= g.n {
				return c, corrupt("commit-graph parent %d out of range", v&^graphExtraEdge)
			}
			c.Parents = append(c.Parents, v&^graphExtraEdge)
			if v&graphExtraEdge != 0 {
				break
			}
		}
	default:
		if int(p2) >= g.n {
			return c, corrupt("commit-graph parent %d out of range", p2)
		}
		c.Parents = append(c.Parents, p2)
	}
	hi := binary.BigEndian.Uint32(e[28:32])
	lo := binary.BigEndian.Uint32(e[32:36])
	c.Generation = hi >> 2
	c.Time = int64(hi&3)<<32 | int64(lo)
	return c, nil
}
