export * from './risk/index.js';
