package console

// Visible is visible, for the tests of package console_test.
var Visible = visible
