# Host tools: HOST_TOOLS += name; tool-srcs-name := every source file of the tool.
