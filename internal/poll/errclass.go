package poll

import (
	"errors"

	"github.com/kernelwire/kernelwire/internal/fetch"
)

// Error classes of the stages after fetch; fetch.Classify names the rest.
const (
	ClassParse = "parse" // the body is not a feed we can read
	ClassStore = "store" // the store failed (or the lease on it was lost)
)

// stageError tags an error with the class of the stage it came from, so the
// class does not have to be guessed from the message later.
type stageError struct {
	class string
	err   error
}

func (e *stageError) Error() string { return e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

func inStage(class string, err error) error {
	if err == nil {
		return nil
	}
	return &stageError{class: class, err: err}
}

// ErrorClass names the class of a poll error (Result.Err): one of fetch's
// Class constants, ClassParse or ClassStore; "" for nil. It is what public
// reports show instead of the error text.
func ErrorClass(err error) string {
	var se *stageError
	if errors.As(err, &se) {
		return se.class
	}
	return fetch.Classify(err)
}
