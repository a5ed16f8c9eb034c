// Package parser turns configuration files into the input documents that
// policies see, in the shapes conftest gives them (so existing policies run
// unchanged), and remembers where each part of a document came from so a
// finding can point at a line.
//
// Each format is one small file behind the Parser interface; New picks one
// by name and ForPath by file name. An unknown name is an error, never a
// silent fallback to another format.
package parser
