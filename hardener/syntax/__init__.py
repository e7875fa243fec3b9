"""Reading Dockerfile syntax the way BuildKit does, one job per module.

``scanner``   physical lines -> instructions: continuations, comments, heredocs
``line``      one logical line -> keyword, builder flags, arguments, exec form
``words``     words of the arguments: BuildKit's word splitting, quotes, shell lexer
``expand``    ARG substitution and ARG/ENV name=value pairs
``imageref``  image references (``[registry/]repository[:tag][@digest]``)
``stages``    stages, their bases and ARG scopes, and what ships
``lazyre``    regexes compiled on first use, for modules most files do not need

``hardener.parse.parse`` puts them together. Nothing is imported here: import
a name from its module.
"""
