package mlflow

import (
	"strings"
	"testing"
)

const base = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    python_version: 3.10.12
  sklearn:
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.3.0
mlflow_version: 2.9.2
model_size_bytes: 1234
model_uuid: 3f4e9a
run_id: abc123
signature:
  inputs: '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "string", "name": "species", "required": false}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: '[{"name": "temperature", "type": "float", "default": 0.5, "shape": null}]'
utc_time_created: '2023-12-01 12:00:00.000000'
`

func TestDiff(t *testing.T) {
	r := strings.NewReplacer
	tests := []struct {
		name string
		head string
		want string // IDs, comma-separated
	}{
		{"same", base, ""},
		{"re-logged", r("run_id: abc123", "run_id: def456", "model_uuid: 3f4e9a", "model_uuid: 77aa", "2023-12-01", "2024-01-02",
			"model_size_bytes: 1234", "model_size_bytes: 1240", "mlflow_version: 2.9.2", "mlflow_version: 2.10.0",
			"sklearn_version: 1.3.0", "sklearn_version: 1.4.0").Replace(base),
			"metadata,metadata,metadata,metadata,metadata,metadata"},
		{"column removed", r(`{"type": "double", "name": "sepal_length", "required": true}, `, "").Replace(base), "input-removed"},
		{"column retyped", r(`"type": "double"`, `"type": "float"`).Replace(base), "input-retyped"},
		{"required column added", r(`"required": false}]'`, `"required": false}, {"type": "long", "name": "petal", "required": true}]'`).Replace(base), "input-added"},
		{"optional column added", r(`"required": false}]'`, `"required": false}, {"type": "long", "name": "petal", "required": false}]'`).Replace(base), "input-added-optional"},
		{"made required", r(`"name": "species", "required": false`, `"name": "species", "required": true`).Replace(base), "input-required"},
		{"made optional", r(`"name": "sepal_length", "required": true`, `"name": "sepal_length", "required": false`).Replace(base), "input-relaxed"},
		{"output added", r(`"shape": [-1]}}]'`, `"shape": [-1]}}, {"type": "tensor", "name": "proba", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]'`).Replace(base), "output-added"},
		{"output retyped", r(`"dtype": "int64"`, `"dtype": "int32"`).Replace(base), "output-retyped"},
		{"output reshaped", r(`"shape": [-1]}`, `"shape": [-1, 1]}`).Replace(base), "output-retyped"},
		{"param default", r(`"default": 0.5`, `"default": 0.7`).Replace(base), "param-default-changed"},
		{"param retyped", r(`"type": "float", "default"`, `"type": "double", "default"`).Replace(base), "param-retyped"},
		{"param removed", r(`  params: '[{"name": "temperature", "type": "float", "default": 0.5, "shape": null}]'`+"\n", "").Replace(base), "param-removed"},
		{"loader changed", r("loader_module: mlflow.sklearn", "loader_module: custom.loader").Replace(base), "flavor-changed"},
		{"flavor removed", r("  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n    sklearn_version: 1.3.0\n", "").Replace(base), "flavor-removed"},
		{"signature gone", r(`  inputs: '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "string", "name": "species", "required": false}]'`+"\n", "").Replace(base), "inputs-schema-removed"},
	}
	b, err := Load("MLmodel", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Load("MLmodel", []byte(tt.head))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range Diff(b, h) {
				got = append(got, c.ID)
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("Diff = %q, want %q", strings.Join(got, ","), tt.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"not JSON", "signature:\n  inputs: '[{oops'\n", "MLmodel:2: signature.inputs: not a JSON list of columns"},
		{"not a string", "signature:\n  inputs: [1, 2]\n", "MLmodel:2: signature.inputs must be a JSON string"},
		{"no type", "signature:\n  inputs: '[{\"name\": \"a\"}]'\n", `column "a" has no type`},
		{"duplicate column", "signature:\n  inputs: '[{\"name\": \"a\", \"type\": \"long\"}, {\"name\": \"a\", \"type\": \"long\"}]'\n", `column "a" appears twice`},
		{"duplicate key", "signature:\n  inputs: '[{\"name\": \"a\", \"type\": \"long\", \"type\": \"double\"}]'\n", "a column spec has a key twice"},
		{"tensor without dtype", "signature:\n  inputs: '[{\"type\": \"tensor\", \"tensor-spec\": {}}]'\n", "want tensor-spec with a dtype"},
		{"list", "- a\n", "an MLmodel is a map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("MLmodel", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line with %q", err, tt.want)
			}
		})
	}
}

// FuzzLoad feeds arbitrary MLmodel text to the reader: bad input is one
// error line naming the file, never a panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(base))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load("MLmodel", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "MLmodel") {
				t.Errorf("error %q: want one line naming the file", err)
			}
			return
		}
		if len(Diff(m, m)) != 0 {
			t.Errorf("a model differs from itself: %v", Diff(m, m))
		}
	})
}
