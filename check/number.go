package check

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Numbers are kept as the decimals their files write and compared exactly,
// at any size: 9007199254740993 is not 9007199254740992, and
// 0.1000000000000000000001 is not 0.1. Node.Num holds the nearest float64,
// for display and arithmetic that tolerates rounding only.
//
// The one rule for numbers no 64-bit float can hold, in every format: an
// integer (digits only) is exact at any size; a number written with a
// fraction or an exponent must lie within the range of a 64-bit float
// (magnitude at most about 1.8e308), as Python and transformers read it, and
// beyond it (1e400) it is refused with its file and line. YAML's .inf and
// .nan (TOML's inf and nan) are kept as infinity and NaN. TOML's own
// specification makes its integers 64-bit and its floats binary64.

// errOutOfRange is returned for a number with a fraction or exponent whose
// magnitude is beyond the largest 64-bit float.
var errOutOfRange = errors.New("is out of range: a number with a fraction or an exponent must fit a 64-bit float (up to about ±1.8e308); write it as an integer, or quote it as a string")

// numClass tells finite numbers from infinities and NaN; the zero value is
// finite, so the zero decimal is 0.
type numClass int8

const (
	numFinite numClass = iota
	numNegInf
	numPosInf
	numNaN
)

// rank orders the classes: -inf < finite < +inf.
func (c numClass) rank() int {
	switch c {
	case numNegInf:
		return -1
	case numPosInf:
		return 1
	}
	return 0
}

// decimal is an exact number: (-1)^neg × 0.digits × 10^exp, with digits
// free of leading and trailing zeros (zero has no digits and is never
// negative), or an infinity or NaN.
type decimal struct {
	class  numClass
	neg    bool
	digits string
	exp    int64
}

// maxExponentDigits bounds the exponent of a literal so that the arithmetic
// on exponents cannot overflow; any exponent a float can use fits.
const maxExponentDigits = 15

// parseDecimal parses a JSON number, with a leading + and the forms .5 and
// 5. allowed, or an infinity or NaN spelt as YAML (.inf, -.Inf, .nan), TOML
// (inf, +inf, nan) or Go (+Inf, NaN) write them. It costs one pass over s
// and allocates nothing: digits is a substring of s.
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		d.neg = s[i] == '-'
		i++
	}
	switch strings.ToLower(strings.TrimPrefix(s[i:], ".")) {
	case "inf", "infinity":
		d.class = numPosInf
		if d.neg {
			d.class = numNegInf
		}
		d.neg = false
		return d, true
	case "nan":
		return decimal{class: numNaN}, true
	}
	d.class = numFinite
	intStart := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intDigits := s[intStart:i]
	fracDigits := ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		fracDigits = s[fs:i]
	}
	if intDigits == "" && fracDigits == "" {
		return decimal{}, false
	}
	var exp int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		es := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		e := strings.TrimLeft(s[es:i], "0")
		if es == i || len(e) > maxExponentDigits {
			return decimal{}, false
		}
		if e != "" {
			exp, _ = strconv.ParseInt(e, 10, 64)
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return decimal{}, false
	}
	// Value = 0.(intDigits fracDigits) × 10^(exp + len(intDigits)).
	exp += int64(len(intDigits))
	var all string
	switch {
	case fracDigits == "":
		all = intDigits
	case strings.Trim(intDigits, "0") == "":
		// 0.000123: skip the zeros of both parts without concatenating.
		exp -= int64(len(intDigits))
		t := strings.TrimLeft(fracDigits, "0")
		exp -= int64(len(fracDigits) - len(t))
		d.digits = strings.TrimRight(t, "0")
		if d.digits == "" {
			d.neg, d.exp = false, 0
		} else {
			d.exp = exp
		}
		return d, true
	default:
		all = intDigits + fracDigits
	}
	t := strings.TrimLeft(all, "0")
	exp -= int64(len(all) - len(t))
	d.digits = strings.TrimRight(t, "0")
	if d.digits == "" {
		d.neg, d.exp = false, 0
	} else {
		d.exp = exp
	}
	return d, true
}

// cmpDecimal compares a and b exactly: -1, 0 or +1, and false when either
// is NaN.
func cmpDecimal(a, b decimal) (int, bool) {
	if a.class == numNaN || b.class == numNaN {
		return 0, false
	}
	if a.class != b.class {
		return cmpInt(a.class.rank(), b.class.rank()), true
	}
	if a.class != numFinite {
		return 0, true
	}
	sign := func(d decimal) int {
		switch {
		case d.digits == "":
			return 0
		case d.neg:
			return -1
		}
		return 1
	}
	sa, sb := sign(a), sign(b)
	if sa != sb || sa == 0 {
		return cmpInt(sa, sb), true
	}
	// Same sign, both nonzero: compare magnitudes, then apply the sign.
	m := 0
	switch {
	case a.exp != b.exp:
		m = cmpInt64(a.exp, b.exp)
	default:
		m = strings.Compare(a.digits, b.digits) // no trailing zeros: a prefix is smaller
	}
	return m * sa, true
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// isInteger reports whether a literal is written as an integer: digits with
// an optional sign, no fraction and no exponent.
func isInteger(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// newNumber checks a number literal (in the syntax of parseDecimal) against
// the one rule for out-of-range numbers and returns its float64 and the text
// to keep: the literal itself when it is valid JSON, otherwise the exact
// decimal rewritten as JSON (+1.5 -> 1.5, .5 -> 0.5).
func newNumber(lit string) (f float64, text string, err error) {
	d, ok := parseDecimal(lit)
	if !ok {
		if validJSONNumber(strings.TrimPrefix(lit, "+")) {
			return 0, "", errOutOfRange // an exponent of more than 15 digits
		}
		return 0, "", errors.New("is not a number")
	}
	switch d.class {
	case numNaN:
		return math.NaN(), lit, nil
	case numPosInf:
		return math.Inf(1), lit, nil
	case numNegInf:
		return math.Inf(-1), lit, nil
	}
	f, perr := strconv.ParseFloat(lit, 64)
	if perr != nil && !isInteger(lit) {
		// ParseFloat fails only on overflow here (the syntax is checked).
		return 0, "", errOutOfRange
	}
	if validJSONNumber(lit) {
		return f, lit, nil
	}
	return f, d.String(), nil
}

// validJSONNumber reports whether s is a number in JSON's grammar.
func validJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i == len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i == len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}

// String writes a finite decimal as a JSON number: plain digits when the
// exponent is small, scientific notation otherwise.
func (d decimal) String() string {
	switch d.class {
	case numNaN:
		return "NaN"
	case numPosInf:
		return "+Inf"
	case numNegInf:
		return "-Inf"
	}
	if d.digits == "" {
		return "0"
	}
	var b strings.Builder
	if d.neg {
		b.WriteByte('-')
	}
	n := int64(len(d.digits))
	switch {
	case d.exp >= n && d.exp-n <= 21: // an integer: digits then zeros
		b.WriteString(d.digits)
		b.WriteString(strings.Repeat("0", int(d.exp-n)))
	case d.exp > 0 && d.exp < n: // 12.34
		b.WriteString(d.digits[:d.exp])
		b.WriteByte('.')
		b.WriteString(d.digits[d.exp:])
	case d.exp <= 0 && d.exp > -6: // 0.00123
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", int(-d.exp)))
		b.WriteString(d.digits)
	default: // 1.234e+56
		b.WriteString(d.digits[:1])
		if n > 1 {
			b.WriteByte('.')
			b.WriteString(d.digits[1:])
		}
		b.WriteString("e")
		b.WriteString(strconv.FormatInt(d.exp-1, 10))
	}
	return b.String()
}

// numberOf returns the exact value of a number node.
func numberOf(n *Node) (decimal, bool) {
	if n == nil || n.Kind != KindNumber {
		return decimal{}, false
	}
	if d, ok := parseDecimal(n.Str); ok {
		return d, true
	}
	// A node built without its text: its float is exact.
	return floatDecimal(n.Num), true
}

// floatDecimal returns the exact decimal a float64 denotes in its shortest
// round-trip form, which orders and equals floats exactly as they do.
func floatDecimal(f float64) decimal {
	d, _ := parseDecimal(strconv.FormatFloat(f, 'g', -1, 64))
	return d
}

// CompareNumbers compares two number nodes exactly: -1, 0 or +1; ok is false
// when either is not a number or is NaN.
func CompareNumbers(a, b *Node) (c int, ok bool) {
	da, ok1 := numberOf(a)
	db, ok2 := numberOf(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	return cmpDecimal(da, db)
}

// NumberIs reports whether n is a number exactly equal to f.
func NumberIs(n *Node, f float64) bool {
	d, ok := numberOf(n)
	if !ok {
		return false
	}
	c, ok := cmpDecimal(d, floatDecimal(f))
	return ok && c == 0
}

// Int64 returns the value of a number node that is a whole number within
// int64, exactly (4096 and 4096.0 alike); ok is false otherwise.
func (n *Node) Int64() (v int64, ok bool) {
	d, ok := numberOf(n)
	if !ok || d.class != numFinite {
		return 0, false
	}
	if d.digits == "" {
		return 0, true
	}
	if d.exp < int64(len(d.digits)) || d.exp > 19 {
		return 0, false // a fraction, or too large
	}
	s := d.digits + strings.Repeat("0", int(d.exp)-len(d.digits))
	if d.neg {
		s = "-" + s
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// maxExactDigits bounds the span of digits exact arithmetic works on (the
// distance between the highest and lowest digit of the operands); beyond it
// a caller falls back to a conservative answer.
const maxExactDigits = 1000

// ratOf returns a finite number node as an exact rational, or false when it
// is not finite or would take more than maxExactDigits digits.
func ratOf(n *Node) (*big.Rat, bool) {
	d, ok := numberOf(n)
	if !ok || d.class != numFinite {
		return nil, false
	}
	return d.rat()
}

func (d decimal) rat() (*big.Rat, bool) {
	if d.digits == "" {
		return new(big.Rat), true
	}
	low := d.exp - int64(len(d.digits)) // value = digits × 10^low
	if len(d.digits) > maxExactDigits || low > maxExactDigits || low < -maxExactDigits {
		return nil, false
	}
	num, ok := new(big.Int).SetString(d.digits, 10)
	if !ok {
		return nil, false
	}
	if d.neg {
		num.Neg(num)
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(abs64(low)), nil)
	r := new(big.Rat)
	if low >= 0 {
		return r.SetInt(num.Mul(num, scale)), true
	}
	return r.SetFrac(num, scale), true
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// wholeNumber reports whether n is a number that is a whole number of at
// least 0, exactly, at any size.
func wholeNumber(n *Node) bool {
	d, ok := numberOf(n)
	return ok && d.class == numFinite && !d.neg && d.exp >= int64(len(d.digits))
}
