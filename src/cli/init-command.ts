/** `qms init` adapter (stub until the init service lands). */
export async function runInit(_opts: { root?: string; yes?: boolean }): Promise<number> {
  process.stdout.write("init is not implemented yet\n");
  return 1;
}
