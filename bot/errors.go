package bot

import (
	"errors"
	"fmt"
)

// Error codes. A coded error's message is written for the person who typed
// the command; EINTERNAL errors are logged with their cause and the person
// sees only a generic line.
const (
	EINVALID     = "invalid"     // bad input: usage, format, unknown key
	ENOTFOUND    = "not_found"   // no such scene, person, beat or session
	EFORBIDDEN   = "forbidden"   // the caller's roles do not allow it
	ECONFLICT    = "conflict"    // the state does not allow it now
	EUNAVAILABLE = "unavailable" // the chat platform cannot do it (missing ability or permission)
	EINTERNAL    = "internal"    // our fault; details only in the log
)

// Error is a failure with a code and a message the caller may read.
type Error struct {
	Code    string
	Message string
	// Err is the underlying cause, logged but never shown to users.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns a coded error with a formatted user-readable message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps a cause as an EINTERNAL error.
func Internal(err error) *Error {
	return &Error{Code: EINTERNAL, Message: "internal error", Err: err}
}

// ErrorCode returns the code of the first coded error in err's chain,
// EINTERNAL for an uncoded error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns what the caller may read about err: the message of a
// coded error, or a generic line for anything internal.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "Something went wrong on icbot's side; nothing was changed. The error has been logged for the operator."
}
