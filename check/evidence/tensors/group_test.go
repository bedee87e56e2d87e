package tensors

import "testing"

func TestRenderAlternatives(t *testing.T) {
	tests := []struct {
		alts []string
		want string
	}{
		{[]string{"gate_proj", "up_proj", "down_proj"}, "{gate,up,down}_proj"},
		{[]string{"q_proj", "k_proj", "v_proj", "o_proj"}, "{q,k,v,o}_proj"},
		{[]string{"weight", "weight_scale_inv"}, "{weight,weight_scale_inv}"},
		{[]string{"w1", "w2", "w3"}, "{w1,w2,w3}"},
		{[]string{"attn_q", "attn_k"}, "attn_{q,k}"},
		{[]string{"a_x", "a_x_y"}, "a_{x,x_y}"},
	}
	for _, tt := range tests {
		if got := renderAlts(tt.alts); got != tt.want {
			t.Errorf("renderAlts(%q) = %q, want %q", tt.alts, got, tt.want)
		}
	}
}

func TestRenderNumbers(t *testing.T) {
	tests := []struct {
		nums []int64
		want string
		span int
	}{
		{[]int64{5}, "5", 1},
		{[]int64{0, 1}, "{0,1}", 2},
		{[]int64{3, 1, 2}, "{1..3}", 3},
		{[]int64{0, 1, 2, 7, 9, 10, 11}, "{0..2,7,9..11}", 7},
		{[]int64{0, 2, 4, 6, 8, 10, 12, 14}, "{0..14}", 15},
	}
	for _, tt := range tests {
		set := map[int64]bool{}
		for _, n := range tt.nums {
			set[n] = true
		}
		if got, span := renderNums(set); got != tt.want || span != tt.span {
			t.Errorf("renderNums(%v) = %q, %d; want %q, %d", tt.nums, got, span, tt.want, tt.span)
		}
	}
}
