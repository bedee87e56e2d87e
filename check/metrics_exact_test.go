package check

import (
	"strings"
	"testing"
)

// TestGuardedMetricStopsBeingANumber: a guarded metric that becomes null,
// NaN or text has regressed (DESIGN §8) unless the notes acknowledge it; an
// unguarded one is only recorded.
func TestGuardedMetricStopsBeingANumber(t *testing.T) {
	const config = "metrics:\n  mmlu.accuracy: {direction: higher, tolerance: 0.01}\n  eval.loss: {direction: lower}\n"
	const base = "mmlu:\n  accuracy: 0.712\neval:\n  loss: 2.0\nspeed: 41\n"
	tests := []struct {
		name, metrics, notes string
		problems             string
		message              string // of the first problem
	}{
		{"null", "mmlu:\n  accuracy: null\neval:\n  loss: 2.0\nspeed: 41\n", "Faster.\n",
			"error metric-regressed", "metric mmlu.accuracy is null at HEAD (was 0.712), not a number, so it cannot be shown not to regress (higher is better, tolerance 0.01)"},
		{"empty value", "mmlu:\n  accuracy:\neval:\n  loss: 2.0\nspeed: 41\n", "Faster.\n",
			"error metric-regressed", "metric mmlu.accuracy is null at HEAD"},
		{"NaN", "mmlu:\n  accuracy: .nan\neval:\n  loss: 2.0\nspeed: 41\n", "Faster.\n",
			"error metric-regressed", "metric mmlu.accuracy is NaN at HEAD (was 0.712), not a number"},
		{"a string", "mmlu:\n  accuracy: \"0.80\"\neval:\n  loss: 2.0\nspeed: 41\n", "Faster.\n",
			"error metric-regressed", `metric mmlu.accuracy is the string "0.80" at HEAD (was 0.712), not a number`},
		{"a boolean, lower is better", "mmlu:\n  accuracy: 0.712\neval:\n  loss: false\nspeed: 41\n", "Faster.\n",
			"error metric-regressed", "metric eval.loss is the boolean false at HEAD (was 2.0), not a number"},
		{"infinite loss", "mmlu:\n  accuracy: 0.712\neval:\n  loss: .inf\nspeed: 41\n", "Faster.\n",
			"error metric-regressed", "metric eval.loss regressed 2.0 -> .inf"},
		{"acknowledged", "mmlu:\n  accuracy: null\neval:\n  loss: 2.0\nspeed: 41\n",
			"Faster.\n\n## Known regressions\n\n- `mmlu.accuracy` is not measured for this release.\n", "", ""},
		{"unguarded metric becomes null: recorded only", "mmlu:\n  accuracy: 0.712\neval:\n  loss: 2.0\nspeed: null\n", "Faster.\n", "", ""},
		{"beyond float64 precision, tolerance 0", "mmlu:\n  accuracy: 0.712\neval:\n  loss: 2.0000000000000000000001\nspeed: 41\n", "Faster.\n",
			"error metric-regressed", "metric eval.loss regressed 2.0 -> 2.0000000000000000000001 (+0.0000000000000000000001), beyond its tolerance 0 (lower is better)"},
		{"beyond float64 precision, improvement", "mmlu:\n  accuracy: 0.7120000000000000000001\neval:\n  loss: 2.0\nspeed: 41\n", "Faster.\n", "", ""},
		{"exactly at a tolerance float64 cannot hold", "mmlu:\n  accuracy: 0.702\neval:\n  loss: 2.0\nspeed: 41\n", "Faster.\n", "", ""},
		{"just beyond it", "mmlu:\n  accuracy: 0.70199999999999999999\neval:\n  loss: 2.0\nspeed: 41\n", "Faster.\n",
			"error metric-regressed", "metric mmlu.accuracy regressed 0.712 -> 0.70199999999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := model(t, "model: m-v1.0.0\nmetrics: eval/metrics.yaml\n", "eval/metrics.yaml", base)
			h, fsys := model(t, "model: m-v1.1.0\nmetrics: eval/metrics.yaml\n", "eval/metrics.yaml", tt.metrics, "releases/v1.1.0.md", tt.notes)
			r := evaluate(t, config, b, h, fsys)
			if got := problems(r); got != tt.problems {
				t.Fatalf("problems %q, want %q (%+v)", got, tt.problems, r.Problems)
			}
			if tt.message != "" && !strings.HasPrefix(r.Problems[0].Message, tt.message) {
				t.Errorf("message %q, want it to start with %q", r.Problems[0].Message, tt.message)
			}
			if tt.message != "" && r.Problems[0].File != "eval/metrics.yaml" {
				t.Errorf("problem at %s:%d, want the metrics file", r.Problems[0].File, r.Problems[0].Line)
			}
		})
	}
}
