package bot

import (
	"fmt"
	"strings"
)

// beatLine describes a beat for the people who may see scene details.
func beatLine(b Beat) string {
	s := fmt.Sprintf("%s  %s [%s]", b.ID, b.Description, b.Kind)
	if len(b.Areas) > 0 {
		s += " visible: " + strings.Join(b.Areas, ", ")
	}
	return s
}

// beatsOf lists the beats of the scene that involve performer p, in order.
func beatsOf(sc *Scene, p UserID) []Beat {
	var out []Beat
	for _, b := range sc.Beats {
		if b.Involves(p) {
			out = append(out, b)
		}
	}
	return out
}

// askLines are a beat's lines in a request to a performer: the beat (and
// with, who else is in it, when given), and
// the camera and conditions it is agreed with, which are part of what the
// performer agrees to (their class reaches the scene's performers).
func askLines(b Beat, with string) string {
	s := beatLine(b) + with
	if b.Camera != "" {
		s += "\n      camera: " + b.Camera
	}
	if b.Conditions != "" {
		s += "\n      conditions: " + b.Conditions
	}
	return s
}
