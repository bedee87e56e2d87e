// Package fsutil holds the one helper modelgate's readers share for file
// system errors.
package fsutil

import (
	"errors"
	"io/fs"
)

// UnwrapPath drops the *fs.PathError wrapper, whose text repeats the path,
// so that an error can name the file once, as the caller chooses.
func UnwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
