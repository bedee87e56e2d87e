package odb

import "encoding/binary"

// applyDelta builds an object from its base and a git delta: the base's
// size and the result's as varints, then instructions that copy a range of
// the base (high bit set; offset and size bytes flagged in the low bits) or
// insert the next 1-127 bytes of the delta.
func applyDelta(base, delta []byte) ([]byte, error) {
	src, n := binary.Uvarint(delta)
	if n <= 0 {
		return nil, corrupt("bad delta header")
	}
	delta = delta[n:]
	if src != uint64(len(base)) {
		return nil, corrupt("delta for a base of %d bytes applied to %d bytes", src, len(base))
	}
	dst, n := binary.Uvarint(delta)
	if n <= 0 || dst > 1<<62 {
		return nil, corrupt("bad delta header")
	}
	delta = delta[n:]
	// Every byte of instructions yields at most the whole base (a copy)
	// or 127 bytes (an insert): a larger result is corrupt, refused before
	// allocating.
	if dst > uint64(len(delta))*uint64(max(len(base), 127)) {
		return nil, corrupt("delta of %d bytes cannot build %d bytes", len(delta), dst)
	}
	// A result up to twice the base (plus the delta) is allocated whole:
	// memory of the order the base already holds, and no copies as it
	// grows (a 35 MiB blob grown by append was copied five times). A
	// larger declared size starts at 16 MiB and grows as it is built.
	out := make([]byte, 0, min(dst, max(2*uint64(len(base))+uint64(len(delta)), 16<<20)))
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		switch {
		case op&0x80 != 0:
			var off, size uint64
			for i := uint(0); i < 4; i++ {
				if op&(1<<i) != 0 {
					if len(delta) == 0 {
						return nil, corrupt("truncated delta")
					}
					off |= uint64(delta[0]) << (8 * i)
					delta = delta[1:]
				}
			}
			for i := uint(0); i < 3; i++ {
				if op&(0x10<<i) != 0 {
					if len(delta) == 0 {
						return nil, corrupt("truncated delta")
					}
					size |= uint64(delta[0]) << (8 * i)
					delta = delta[1:]
				}
			}
			if size == 0 {
				size = 0x10000
			}
			if off+size > uint64(len(base)) || uint64(len(out))+size > dst {
				return nil, corrupt("delta copies outside its base or result")
			}
			out = append(out, base[off:off+size]...)
		case op != 0:
			size := uint64(op)
			if uint64(len(delta)) < size || uint64(len(out))+size > dst {
				return nil, corrupt("truncated delta")
			}
			out = append(out, delta[:size]...)
			delta = delta[size:]
		default:
			return nil, corrupt("delta instruction 0")
		}
	}
	if uint64(len(out)) != dst {
		return nil, corrupt("delta built %d bytes, declared %d", len(out), dst)
	}
	return out, nil
}
