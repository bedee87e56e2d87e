package odb

import (
	"bytes"
	"encoding/binary"
)

// index is a pack index, version 2: a fanout table of 256 cumulative
// counts by first byte, the sorted object names, their CRC-32s, their
// offsets (31 bits, or an index into a table of 64-bit offsets), then the
// pack's checksum and the index's own.
type index struct {
	n       int
	fanout  []byte // 256 × 4
	names   []byte // n × 20
	off32   []byte // n × 4
	off64   []byte // k × 8
	packSum []byte // 20
}

var idxMagic = []byte{0xff, 't', 'O', 'c'}

// parseIndex checks the layout of a version 2 pack index. Version 1 and
// anything else is not understood.
func parseIndex(data []byte) (*index, error) {
	const head = 8 + 256*4
	if len(data) < head+40 || !bytes.Equal(data[:4], idxMagic) {
		return nil, corrupt("not a version 2 pack index")
	}
	if v := binary.BigEndian.Uint32(data[4:8]); v != 2 {
		return nil, corrupt("pack index version %d", v)
	}
	fanout := data[8:head]
	prev := uint32(0)
	for i := 0; i < 256; i++ {
		c := binary.BigEndian.Uint32(fanout[i*4:])
		if c < prev {
			return nil, corrupt("pack index fanout is not sorted")
		}
		prev = c
	}
	n := int(prev)
	if uint64(prev)*28 > uint64(len(data)) {
		return nil, corrupt("pack index of %d objects is %d bytes", n, len(data))
	}
	need := head + n*28 + 40
	if len(data) < need || (len(data)-need)%8 != 0 {
		return nil, corrupt("pack index of %d objects is %d bytes", n, len(data))
	}
	x := &index{n: n, fanout: fanout}
	p := head
	x.names = data[p : p+n*20]
	p += n * 20
	p += n * 4 // CRC-32s
	x.off32 = data[p : p+n*4]
	p += n * 4
	x.off64 = data[p : len(data)-40]
	x.packSum = data[len(data)-40 : len(data)-20]
	return x, nil
}

// find returns the position of h, by binary search in its fanout range.
func (x *index) find(h Hash) (int, bool) {
	return findName(x.fanout, x.names, h)
}

// findName searches a sorted table of names, narrowed by a fanout table.
func findName(fanout, names []byte, h Hash) (int, bool) {
	lo := 0
	if h[0] > 0 {
		lo = int(binary.BigEndian.Uint32(fanout[(int(h[0])-1)*4:]))
	}
	hi := int(binary.BigEndian.Uint32(fanout[int(h[0])*4:]))
	if hi > len(names)/20 {
		hi = len(names) / 20
	}
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(names[mid*20:mid*20+20], h[:]); {
		case c == 0:
			return mid, true
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

// offset returns the pack offset of the object at position i.
func (x *index) offset(i int) (int64, error) {
	return packOffset(x.off32, x.off64, i)
}

// packOffset decodes a 31-bit offset, or a reference into the 64-bit table.
func packOffset(off32, off64 []byte, i int) (int64, error) {
	o := binary.BigEndian.Uint32(off32[i*4:])
	if o&0x80000000 == 0 {
		return int64(o), nil
	}
	j := int(o & 0x7fffffff)
	if j >= len(off64)/8 {
		return 0, corrupt("64-bit offset %d out of range", j)
	}
	v := binary.BigEndian.Uint64(off64[j*8:])
	if v > 1<<62 {
		return 0, corrupt("offset %d out of range", v)
	}
	return int64(v), nil
}

// name returns the object name at position i.
func (x *index) name(i int) Hash {
	var h Hash
	copy(h[:], x.names[i*20:])
	return h
}
