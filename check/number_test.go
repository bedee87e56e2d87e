package check

import (
	"fmt"
	"strings"
	"testing"
)

// parseValue parses "v" holding one value in the given format.
func parseValue(t *testing.T, format, value string) (*Node, error) {
	t.Helper()
	var data string
	switch format {
	case "json":
		data = `{"v": ` + value + "}\n"
	case "toml":
		data = "v = " + value + "\n"
	default:
		data = "v: " + value + "\n"
	}
	root, err := Parse("f."+format, []byte(data))
	if err != nil {
		return nil, err
	}
	return root.Get("v"), nil
}

func TestNumbersCompareExactly(t *testing.T) {
	tests := []struct {
		formats string
		a, b    string
		equal   bool
	}{
		{"yaml json toml", "9007199254740993", "9007199254740992", false}, // beyond 2^53
		{"yaml json toml", "9223372036854775807", "9223372036854775806", false},
		{"yaml json", "123456789012345678901234567890", "123456789012345678901234567891", false},
		{"yaml json", "123456789012345678901234567890", "123456789012345678901234567890", true},
		{"yaml json", "0.1000000000000000000001", "0.1", false},
		{"yaml json", "1e-400", "0", false}, // below float range, kept exactly
		{"yaml json", "1e-400", "1.0e-400", true},
		{"yaml json toml", "4096", "4096.0", true},
		{"yaml json toml", "1e3", "1000", true},
		{"yaml json toml", "0", "-0", true},
		{"yaml json toml", "0.5", "0.50", true},
		{"yaml", "0x10", "16", true},
		{"yaml", "0x1000000000000000000000001", "79228162514264337593543950337", true},
		{"yaml", "1_000", "1000", true},
		{"yaml", ".inf", ".inf", true},
		{"yaml", ".inf", "-.inf", false},
		{"yaml", ".nan", ".nan", true},
		{"toml", "inf", "inf", true},
		{"toml", "nan", "1.0", false},
	}
	for _, tt := range tests {
		for _, f := range strings.Fields(tt.formats) {
			name := fmt.Sprintf("%s/%s=%s", f, tt.a, tt.b)
			a, err := parseValue(t, f, tt.a)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			b, err := parseValue(t, f, tt.b)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if a.Kind != KindNumber || b.Kind != KindNumber {
				t.Errorf("%s: kinds %v %v, want numbers", name, a.Kind, b.Kind)
				continue
			}
			if got := Equal(a, b); got != tt.equal {
				t.Errorf("%s: Equal = %v, want %v", name, got, tt.equal)
			}
			if d := Diff(&Node{Kind: KindMap, Keys: []string{"v"}, Fields: map[string]*Node{"v": a}},
				&Node{Kind: KindMap, Keys: []string{"v"}, Fields: map[string]*Node{"v": b}}); (len(d) == 0) != tt.equal {
				t.Errorf("%s: Diff = %v", name, d)
			}
		}
	}
}

func TestNumberOrderIsExact(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"9007199254740993", "9007199254740992", 1},
		{"-9007199254740993", "-9007199254740992", -1},
		{"0.1000000000000000000001", "0.1", 1},
		{"1e-400", "0", 1},
		{"-1e-400", "0", -1},
		{"2", "19", -1},
		{"0.2", "0.19", 1},
		{"1e308", "1e307", 1},
		{"100000000000000000000000000000000000000000000000000", "99999999999999999999999999999999999999999999999999", 1},
		{"-.inf", "-1e308", -1},
		{".inf", "1e308", 1},
		{"5", "5.0", 0},
	}
	for _, tt := range tests {
		a, err := parseValue(t, "yaml", tt.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := parseValue(t, "yaml", tt.b)
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := CompareNumbers(a, b); !ok || c != tt.want {
			t.Errorf("CompareNumbers(%s, %s) = %d, %v; want %d", tt.a, tt.b, c, ok, tt.want)
		}
		if c, ok := CompareNumbers(b, a); !ok || c != -tt.want {
			t.Errorf("CompareNumbers(%s, %s) = %d, %v; want %d", tt.b, tt.a, c, ok, -tt.want)
		}
	}
	nan, _ := parseValue(t, "yaml", ".nan")
	one, _ := parseValue(t, "yaml", "1")
	if _, ok := CompareNumbers(nan, one); ok {
		t.Error("NaN compared as ordered")
	}
}

// TestNumbersOutOfRange holds the one rule for numbers beyond a float64, in
// every format: integers are exact at any size; a fraction or exponent
// beyond the float range is refused with the file and line.
func TestNumbersOutOfRange(t *testing.T) {
	refused := []struct{ format, value string }{
		{"json", "1e400"}, {"yaml", "1e400"}, {"toml", "1e400"},
		{"json", "-1e400"}, {"yaml", "-1e400"}, {"toml", "-1e400"},
		{"json", "1" + strings.Repeat("0", 400) + ".5"}, {"yaml", "1" + strings.Repeat("0", 400) + ".5"},
		{"json", "1e99999999999999999999"}, {"yaml", "1e99999999999999999999"},
	}
	for _, tt := range refused {
		_, err := parseValue(t, tt.format, tt.value)
		if err == nil || !strings.Contains(err.Error(), "f."+tt.format+":1:") ||
			!strings.Contains(err.Error(), "out of range") {
			t.Errorf("%s %.20s: error %v, want f.%s:1: ... out of range", tt.format, tt.value, err, tt.format)
		}
		if err != nil && len(err.Error()) > 300 {
			t.Errorf("%s: error line of %d bytes quotes too much", tt.format, len(err.Error()))
		}
	}
	big := "1" + strings.Repeat("0", 400)
	for _, f := range []string{"json", "yaml"} {
		n, err := parseValue(t, f, big)
		if err != nil || n.Kind != KindNumber || n.Str != big {
			t.Errorf("%s: a 401-digit integer: %v, %+v", f, err, n)
		}
	}
	if _, err := parseValue(t, "toml", big); err == nil {
		t.Error("toml: a 401-digit integer accepted; TOML integers are 64-bit")
	}
}

func TestNumberText(t *testing.T) {
	tests := []struct{ yaml, text string }{
		{"4096", "4096"},
		{"+12", "12"},
		{".5", "0.5"},
		{"1.", "1"},
		{"0x10", "16"},
		{"0o17", "15"},
		{"1_000_000", "1000000"},
		{"3.0e-4", "3.0e-4"},
		{"-.inf", "-.inf"},
		{"123456789012345678901234567890", "123456789012345678901234567890"},
	}
	for _, tt := range tests {
		n, err := parseValue(t, "yaml", tt.yaml)
		if err != nil {
			t.Fatal(err)
		}
		if n.Kind != KindNumber || n.Text() != tt.text {
			t.Errorf("%s: %v %q, want number %q", tt.yaml, n.Kind, n.Text(), tt.text)
		}
	}
}

func TestInt64IsExact(t *testing.T) {
	tests := []struct {
		v    string
		want int64
		ok   bool
	}{
		{"4096", 4096, true},
		{"4096.0", 4096, true},
		{"9007199254740993", 9007199254740993, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false},
		{"1.5", 0, false},
		{"1e3", 1000, true},
		{"-7", -7, true},
	}
	for _, tt := range tests {
		n, err := parseValue(t, "json", tt.v)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := n.Int64(); got != tt.want || ok != tt.ok {
			t.Errorf("Int64(%s) = %d, %v; want %d, %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}
