/**
 * The {@code pgferry} command line: start at {@link io.pgferry.cli.Main}, which registers one class per subcommand.
 * The commands live by family: {@link io.pgferry.cli.stream} ({@code stream}, {@code check}, {@code slots}, {@code
 * demo}), {@link io.pgferry.cli.sync} ({@code sync}, {@code status}), {@link io.pgferry.cli.verify} ({@code guard},
 * {@code verify}, {@code inspect}, {@code repair}, {@code diff}, {@code runs}) and {@link io.pgferry.cli.scan}
 * ({@code scan}, {@code rules}); {@code config} stays here beside {@code ConfigDefaults}, which gives options their
 * values from the environment and the {@code --config} file. What every command shares, its base class, the options
 * several take and the one-line errors with their exit codes, is in {@link io.pgferry.cli.command}. Configuration
 * files are read in {@link io.pgferry.cli.config}, signals, logs and what {@code --http} serves are in {@link
 * io.pgferry.cli.ops}, and the JSON lines of {@code pgferry stream} in {@link io.pgferry.cli.json}.
 *
 * <p>Dependencies point one way: {@code config}, {@code json} and {@code ops} use none of the others, {@code command}
 * uses those, each family of commands uses {@code command} and below ({@code scan} also {@code stream}), and this
 * package uses all (checked by {@code PackageLayersTest}).
 */
package io.pgferry.cli;
