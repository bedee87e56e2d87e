package tensors

import "slices"

// Kind is how a tensor differs between two signatures.
type Kind int

// The kinds of tensor changes.
const (
	Added    Kind = iota + 1 // only the new signature has the tensor
	Removed                  // only the old signature has the tensor
	Reshaped                 // the shape or dtype differs where both sides know them
)

// Change is one tensor that differs between two signatures.
type Change struct {
	Kind     Kind
	Name     string
	Old, New *Tensor // nil for the side that lacks the tensor
}

// Diff compares two tensor signatures by name: added, removed, and reshaped
// (shape or dtype changed where both sides know them). A tensor that only
// moved between shard files is unchanged. Names are matched in file order
// where the two lists agree, by lookup where they do not. Added and
// reshaped tensors come in head order, then removed ones in base order.
func Diff(base, head *Set) []Change {
	var out []Change
	matched := make([]bool, len(base.Names))
	j := 0
	for i, name := range head.Names {
		k := j
		if j >= len(base.Names) || base.Names[j] != name {
			var ok bool
			if k, ok = base.find(name); !ok {
				out = append(out, Change{Kind: Added, Name: name, New: &head.Sigs[i]})
				continue
			}
		}
		matched[k], j = true, k+1
		ot, nt := &base.Sigs[k], &head.Sigs[i]
		if ot.Shape != nil && nt.Shape != nil && !slices.Equal(ot.Shape, nt.Shape) || ot.DType != "" && nt.DType != "" && ot.DType != nt.DType {
			out = append(out, Change{Kind: Reshaped, Name: name, Old: ot, New: nt})
		}
	}
	for k, name := range base.Names {
		if !matched[k] {
			out = append(out, Change{Kind: Removed, Name: name, Old: &base.Sigs[k]})
		}
	}
	return out
}
