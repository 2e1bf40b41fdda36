package resp

// serverCommands are the server group's.
var serverCommands = []Command{}
