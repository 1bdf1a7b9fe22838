#include "cli/app.h"

int main(int argc, char** argv) { return devcert::cli::run_main(argc, argv); }
