package gitrepo

import (
	"bytes"
	"container/heap"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/modelgate/modelgate/internal/gitrepo/odb"
)

// commitGraphs turns the use of commit-graph files on; benchmarks turn it
// off to show what it saves.
var commitGraphs = true

// genInfinity is the generation of a commit the commit-graph does not
// hold: newer than any it does.
const genInfinity = math.MaxUint32

// walker walks history from a head newest first, remembering what it saw,
// so that successive reachability questions (the tags of one model, then
// of the next) share one walk. Commits in the commit-graph are read from
// it without inflating them, and their generation numbers end a question
// early: a commit cannot be an ancestor of commits of a lower or equal
// generation. Commit dates and generations order the walk but never decide
// reachability.
type walker struct {
	repo     *Repo
	graph    *odb.Graph // nil: read every commit
	prune    bool       // generation numbers are usable
	queue    nodeQueue
	seen     map[plumbing.Hash]bool // commits outside the graph
	seenPos  []uint64               // graph positions, a bit each
	boundary bool                   // the walk met the edge of a shallow clone or a missing commit
	parents  []uint32               // scratch for the parents of the commit being expanded
	scratch  []uint32               // scratch for pushPos
}

// node is a commit queued for the walk.
type node struct {
	hash    plumbing.Hash
	pos     uint32 // position in the graph, when inGraph
	inGraph bool
	gen     uint32
	when    int64
	parents []plumbing.Hash // commits outside the graph
}

// walkerFor returns the walk from head, shared by every model of a run.
func (r *Repo) walkerFor(head plumbing.Hash) (*walker, error) {
	if w := r.walks[head]; w != nil {
		return w, nil
	}
	w := &walker{repo: r, seen: map[plumbing.Hash]bool{}}
	if g := r.commitGraph(); g != nil {
		w.graph, w.prune = g, true
		w.seenPos = make([]uint64, (g.Len()+63)/64)
	}
	if err := w.pushHash(head); err != nil {
		return nil, fmt.Errorf("reading commit %s: %w", head.String()[:7], err)
	}
	if r.walks == nil {
		r.walks = map[plumbing.Hash]*walker{}
	}
	r.walks[head] = w
	return w, nil
}

// commitGraph returns the repository's commit-graph, or nil when there is
// none, it is not understood, or the clone is shallow (as git, which then
// ignores it).
func (r *Repo) commitGraph() *odb.Graph {
	if r.graphRead {
		return r.graph
	}
	r.graphRead = true
	if r.objects == "" || r.Shallow() || !fastObjects || !commitGraphs {
		return nil
	}
	g, err := odb.OpenGraph(r.objects)
	if err != nil {
		return nil
	}
	r.graph = g
	return g
}

func (w *walker) pushHash(h plumbing.Hash) error {
	if w.graph != nil {
		if pos, ok := w.graph.Find(odb.Hash(h)); ok {
			return w.pushPos(pos)
		}
	}
	if w.seen[h] {
		return nil
	}
	parents, when, err := w.readCommit(h)
	if err != nil {
		return err
	}
	w.seen[h] = true
	heap.Push(&w.queue, node{hash: h, gen: genInfinity, when: when, parents: parents})
	return nil
}

// readCommit returns the parents and commit time of a commit outside the
// commit-graph: from the raw object's header lines when the fast reader
// has it, else as go-git decodes it.
func (w *walker) readCommit(h plumbing.Hash) ([]plumbing.Hash, int64, error) {
	if fs, ok := w.repo.repo.Storer.(*fastStorer); ok {
		data, err := fs.rawObject(plumbing.CommitObject, h)
		if err != nil {
			return nil, 0, err
		}
		if parents, when, err := parseCommitHead(data); err == nil {
			return parents, when, nil
		}
	}
	c, err := w.repo.repo.CommitObject(h)
	if err != nil {
		return nil, 0, err
	}
	return c.ParentHashes, c.Committer.When.Unix(), nil
}

// errCommitHead reports a commit header the quick parser leaves to go-git.
var errCommitHead = errors.New("commit header not understood")

// parseCommitHead reads the parents and the committer's time from the
// header lines of a raw commit, up to the blank line before the message.
func parseCommitHead(data []byte) (parents []plumbing.Hash, when int64, err error) {
	for len(data) > 0 {
		line := data
		if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
			line, data = data[:nl], data[nl+1:]
		} else {
			data = nil
		}
		if len(line) == 0 {
			break // the message follows
		}
		key, val, _ := bytes.Cut(line, []byte{' '})
		switch string(key) {
		case "parent":
			var p plumbing.Hash
			if len(val) != 40 {
				return nil, 0, errCommitHead
			}
			if _, err := hex.Decode(p[:], val); err != nil {
				return nil, 0, errCommitHead
			}
			parents = append(parents, p)
		case "committer":
			// Name <email> <seconds> <zone>
			i := bytes.LastIndexByte(val, '>')
			if i < 0 {
				return nil, 0, errCommitHead
			}
			f := bytes.Fields(val[i+1:])
			if len(f) > 0 {
				when, _ = strconv.ParseInt(string(f[0]), 10, 64)
			}
		}
	}
	return parents, when, nil
}

func (w *walker) pushPos(pos uint32) error {
	if w.seenPos[pos/64]&(1<<(pos%64)) != 0 {
		return nil
	}
	c, err := w.graph.Commit(pos, w.scratch[:0])
	if err != nil {
		return err
	}
	w.scratch = c.Parents
	if c.Generation == 0 {
		w.prune = false // written without generation numbers
	}
	w.seenPos[pos/64] |= 1 << (pos % 64)
	heap.Push(&w.queue, node{pos: pos, inGraph: true, gen: c.Generation, when: c.Time})
	return nil
}

// reaches reports whether target is an ancestor of (or is) the walk's
// start.
func (w *walker) reaches(target plumbing.Hash) (bool, error) {
	tgen, tpos, inGraph := uint32(genInfinity), uint32(0), false
	if w.graph != nil {
		if tpos, inGraph = w.graph.Find(odb.Hash(target)); inGraph {
			c, err := w.graph.Commit(tpos, w.scratch[:0])
			if err != nil {
				return false, err
			}
			w.scratch, tgen = c.Parents, c.Generation
		}
	}
	seen := func() bool {
		if inGraph {
			return w.seenPos[tpos/64]&(1<<(tpos%64)) != 0
		}
		return w.seen[target]
	}
	for !seen() {
		if w.queue.Len() == 0 {
			if w.boundary {
				return false, fmt.Errorf("the history reaches past the edge of this shallow clone: %w", ErrShallow)
			}
			return false, nil
		}
		// Everything queued is of a generation no higher than the
		// target's and is not the target: none of it can reach it.
		if w.prune && inGraph && tgen != 0 && w.queue[0].gen <= tgen {
			return false, nil
		}
		n := heap.Pop(&w.queue).(node)
		if n.inGraph {
			c, err := w.graph.Commit(n.pos, w.parents[:0])
			if err != nil {
				return false, err
			}
			w.parents = c.Parents
			for _, p := range c.Parents {
				if err := w.pushPos(p); err != nil {
					return false, err
				}
			}
			continue
		}
		if w.repo.shallow[n.hash] {
			w.boundary = true
			continue
		}
		for _, p := range n.parents {
			err := w.pushHash(p)
			if errors.Is(err, plumbing.ErrObjectNotFound) {
				w.boundary = true
				continue
			}
			if err != nil {
				return false, fmt.Errorf("reading commit %s: %w", p.String()[:7], err)
			}
		}
	}
	return true, nil
}

// nodeQueue is a max-heap: highest generation first, then newest.
type nodeQueue []node

func (q nodeQueue) Len() int { return len(q) }
func (q nodeQueue) Less(i, j int) bool {
	if q[i].gen != q[j].gen {
		return q[i].gen > q[j].gen
	}
	return q[i].when > q[j].when
}
func (q nodeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *nodeQueue) Push(x any)   { *q = append(*q, x.(node)) }
func (q *nodeQueue) Pop() any {
	old := *q
	n := old[len(old)-1]
	*q = old[:len(old)-1]
	return n
}
