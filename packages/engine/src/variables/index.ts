export { evaluateCondition, toleratesMissing } from './conditions';
export {
  compileExpression,
  compileValue,
  type Resolver,
  resolveValue,
  type Scope,
  stringify,
} from './resolve';
