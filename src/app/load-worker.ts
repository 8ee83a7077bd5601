/**
 * Worker entry point: loads a manifest off the main thread and posts the LoadResult back
 * (plain data: it survives the structured clone). One request per worker. Listed as an
 * extra entry point of `bun build --compile` (package.json `build`) so the binary has it.
 */
import { loadConfigSync, type LoadOptions } from "../manifest/load";

export interface LoadRequest {
  file: string;
  options: LoadOptions;
}

declare const self: Worker;

self.onmessage = (event: MessageEvent<LoadRequest>) => {
  const { file, options } = event.data;
  self.postMessage(loadConfigSync(file, options));
};
