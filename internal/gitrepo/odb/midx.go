package odb

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
)

// midx is a multi-pack-index, version 1: one sorted table of the objects
// of several packs, each with its pack and offset.
type midx struct {
	data   []byte
	names  []string // pack base names (pack-<hash>), by pack number
	fanout []byte
	oids   []byte
	offs   []byte // n × (pack number, offset)
	loffs  []byte
	sum    []byte // the file's checksum
	unmap  runtime.Cleanup
}

// openMIDX maps pack/multi-pack-index; nil when there is none or it is not
// understood (the packs' own indexes then serve).
func openMIDX(packDir string) (*midx, error) {
	data, err := mapPath(filepath.Join(packDir, "multi-pack-index"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m, err := parseMIDX(data)
	if err != nil {
		unmapFile(data)
		return nil, err
	}
	m.unmap = release(m, data)
	return m, nil
}

// chunks parses a chunk table of count entries (plus the terminating one)
// at off: id -> the chunk's bytes.
func chunks(data []byte, off, count int) (map[string][]byte, error) {
	out := map[string][]byte{}
	if off+(count+1)*12 > len(data) {
		return nil, corrupt("chunk table out of range")
	}
	for i := 0; i < count; i++ {
		e := data[off+i*12:]
		start := binary.BigEndian.Uint64(e[4:12])
		end := binary.BigEndian.Uint64(e[16:24])
		if start > end || end > uint64(len(data)) {
			return nil, corrupt("chunk %q out of range", e[:4])
		}
		out[string(e[:4])] = data[start:end]
	}
	return out, nil
}

func parseMIDX(data []byte) (*midx, error) {
	if len(data) < 12+20 || string(data[:4]) != "MIDX" {
		return nil, corrupt("not a multi-pack-index")
	}
	if data[4] != 1 || data[5] != 1 || data[7] != 0 {
		return nil, corrupt("multi-pack-index version %d, hash %d, %d bases", data[4], data[5], data[7])
	}
	npacks := int(binary.BigEndian.Uint32(data[8:12]))
	c, err := chunks(data, 12, int(data[6]))
	if err != nil {
		return nil, err
	}
	m := &midx{data: data, fanout: c["OIDF"], oids: c["OIDL"], offs: c["OOFF"], loffs: c["LOFF"], sum: data[len(data)-20:]}
	if len(m.fanout) != 256*4 {
		return nil, corrupt("multi-pack-index fanout")
	}
	n := int(binary.BigEndian.Uint32(m.fanout[255*4:]))
	prev := uint32(0)
	for i := 0; i < 256; i++ {
		v := binary.BigEndian.Uint32(m.fanout[i*4:])
		if v < prev {
			return nil, corrupt("multi-pack-index fanout is not sorted")
		}
		prev = v
	}
	if len(m.oids) != n*20 || len(m.offs) != n*8 {
		return nil, corrupt("multi-pack-index of %d objects", n)
	}
	names := strings.Split(strings.TrimRight(string(c["PNAM"]), "\x00"), "\x00")
	if len(names) != npacks {
		return nil, corrupt("multi-pack-index names %d packs, expects %d", len(names), npacks)
	}
	for i, nm := range names {
		if !strings.HasPrefix(nm, "pack-") || !strings.HasSuffix(nm, ".idx") || strings.ContainsAny(nm, `/\`) {
			return nil, corrupt("multi-pack-index pack name %q", nm)
		}
		names[i] = strings.TrimSuffix(nm, ".idx")
	}
	m.names = names
	return m, nil
}

func (m *midx) find(h Hash) (int, bool) { return findName(m.fanout, m.oids, h) }

// entry returns the pack number and offset of the object at position i.
func (m *midx) entry(i int) (int, int64, error) {
	e := m.offs[i*8:]
	pi := int(binary.BigEndian.Uint32(e[:4]))
	if pi >= len(m.names) {
		return 0, 0, corrupt("multi-pack-index pack %d out of range", pi)
	}
	off, err := packOffset(e[4:8], m.loffs, 0)
	return pi, off, err
}

func (m *midx) close() error {
	if m == nil || m.data == nil {
		return nil
	}
	m.unmap.Stop()
	err := unmapFile(m.data)
	m.data = nil
	return err
}
